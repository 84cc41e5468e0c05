package signalsgorm_test

// Deletion test models. A writer's novels, and their reviews, cascade.
type Writer struct {
	ID     uint
	Name   string
	Novels []Novel `gorm:"constraint:OnDelete:CASCADE"`
}

type Novel struct {
	ID       uint
	Title    string
	WriterID uint
	Reviews  []Review `gorm:"constraint:OnDelete:CASCADE"`
	Genres   []Genre  `gorm:"many2many:novel_genres"`
}

type Review struct {
	ID      uint
	NovelID uint
	Stars   int
}

type Genre struct {
	ID   uint
	Name string
}

// Target is referenced through each on_delete mode, by models it does not
// know: the relations are belongs-to back references.
type Target struct {
	ID   uint
	Name string
}

type Cascader struct {
	ID       uint
	TargetID uint
	Target   Target `gorm:"constraint:OnDelete:CASCADE"`
}

type Protector struct {
	ID       uint
	TargetID uint
	Target   Target `signals:"on_delete:PROTECT"`
}

type Restricter struct {
	ID       uint
	TargetID uint
	Target   Target `gorm:"constraint:OnDelete:RESTRICT"`
}

type Nuller struct {
	ID       uint
	TargetID *uint
	Target   *Target `gorm:"constraint:OnDelete:SET NULL"`
}

// Defaulter falls back to the target with ID 1 (MySQL rejects ON DELETE
// SET DEFAULT in DDL: the mode is the plugin's).
type Defaulter struct {
	ID       uint
	TargetID *uint   `gorm:"default:1"`
	Target   *Target `signals:"on_delete:SET_DEFAULT"`
}

type Ignorer struct {
	ID       uint
	TargetID uint
	Target   Target `signals:"on_delete:DO_NOTHING"`
}

// Restrict through another path (Django's test_restrict_path_cascade_*): a
// booking restricts its room, and cascades from its place.
type Place struct {
	ID   uint
	Name string
}

type Room struct {
	ID      uint
	PlaceID uint
	Place   Place `gorm:"constraint:OnDelete:CASCADE"`
}

type Booking struct {
	ID      uint
	RoomID  uint
	Room    Room `gorm:"constraint:OnDelete:RESTRICT"`
	PlaceID *uint
	Place   *Place `gorm:"constraint:OnDelete:CASCADE"`
}

// Protect through a cascade (Django's test_protect_path).
type Shelf struct {
	ID    uint
	Label string
}

type Item struct {
	ID      uint
	ShelfID uint
	Shelf   Shelf `gorm:"constraint:OnDelete:CASCADE"`
}

type Loan struct {
	ID     uint
	ItemID uint
	Item   Item `signals:"on_delete:PROTECT"`
}

// Node is a tree.
type Node struct {
	ID       uint
	Name     string
	ParentID *uint
	Parent   *Node `gorm:"constraint:OnDelete:CASCADE"`
}

var deleteModels = []any{&Writer{}, &Novel{}, &Review{}, &Genre{}, &Target{}, &Cascader{}, &Protector{},
	&Restricter{}, &Nuller{}, &Defaulter{}, &Ignorer{}, &Place{}, &Room{}, &Booking{}, &Shelf{}, &Item{}, &Loan{}, &Node{}}
