package signals

import (
	"fmt"
	"reflect"
	"sync"
)

var senderNames sync.Map // sender → name

// NameSender gives sender a name for traces, statistics, logs and the debug
// page: modelsignals names each model type after its label ("shop.Book"),
// so that a generated join type reads "shop.Book_Tags" rather than its Go
// struct. The last name given wins.
func NameSender(sender any, name string) {
	if sender != nil && reflect.ValueOf(sender).Comparable() {
		senderNames.Store(sender, name)
	}
}

// SenderName returns the name of sender: the one given to [NameSender],
// else the string itself, the type's name for a reflect.Type, or its
// fmt.Sprint form; "" for nil.
func SenderName(sender any) string {
	switch s := sender.(type) {
	case nil:
		return ""
	case string:
		return s
	}
	if !reflect.ValueOf(sender).Comparable() {
		return fmt.Sprint(sender)
	}
	if n, ok := senderNames.Load(sender); ok {
		return n.(string)
	}
	if t, ok := sender.(reflect.Type); ok {
		return t.String()
	}
	return fmt.Sprint(sender) // uses String, and survives a nil receiver
}
