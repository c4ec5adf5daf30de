package warm

import (
	_ "github.com/anchore/syft/syft"
	_ "github.com/anchore/syft/syft/format/cyclonedxjson"
	_ "github.com/anchore/syft/syft/format/spdxjson"
	_ "github.com/anchore/syft/syft/source/directorysource"
	_ "github.com/anchore/syft/syft/source/filesource"
	_ "github.com/anchore/syft/syft/source/stereoscopesource"
)
