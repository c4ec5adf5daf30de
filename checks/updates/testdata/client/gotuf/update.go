package update

import (
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"
)

func newUpdater(root []byte) (*updater.Updater, error) {
	cfg, err := config.New("https://updates.example.com/metadata", root)
	if err != nil {
		return nil, err
	}
	return updater.New(cfg)
}
