package update

import (
	selfupdate "github.com/creativeprojects/go-selfupdate"
)

func updater() (*selfupdate.Updater, error) {
	return selfupdate.NewUpdater(selfupdate.Config{
		Validator: &selfupdate.ChecksumValidator{UniqueFilename: "checksums.txt"},
	})
}
