package signalsgorm

import "errors"

var errNotInstalled = errors.New("signalsgorm: the plugin is not installed on this *gorm.DB (db.Use(signalsgorm.New()))")
