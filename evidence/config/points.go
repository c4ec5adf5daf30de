package config

// annexIPointIDs are the IDs of the Annex I points, the keys allowed under
// risk_assessment. evidence/conformity owns the points and imports this
// package, so the list is repeated here; a test keeps the two equal.
var annexIPointIDs = []string{
	"I-1",
	"I-2a", "I-2b", "I-2c", "I-2d", "I-2e", "I-2f", "I-2g",
	"I-2h", "I-2i", "I-2j", "I-2k", "I-2l", "I-2m",
	"II-1", "II-2", "II-3", "II-4", "II-5", "II-6", "II-7", "II-8",
}

// AnnexIPointIDs returns the keys allowed under risk_assessment, in Annex I order.
func AnnexIPointIDs() []string { return append([]string(nil), annexIPointIDs...) }
