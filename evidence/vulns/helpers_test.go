package vulns

import "github.com/cemark/cemark/evidence/config"

func configWithDB(db string) *config.Config {
	c := &config.Config{}
	c.Vulnerabilities.DB = db
	return c
}
