package protocols

import "strings"

// ParseBool reads the boolean words git accepts (git_config_bool:
// https://git-scm.com/docs/git-config#Documentation/git-config.txt-boolean),
// in any case and with surrounding space, which are also what azcred's
// environment variables (AZCRED_DEBUG, AZCRED_AUTOSAVE) accept. ok is
// false for anything else.
func ParseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true, true
	case "0", "false", "no", "off":
		return false, true
	}
	return false, false
}

// IsTrue is ParseBool's value: anything unrecognised is false.
func IsTrue(s string) bool {
	v, _ := ParseBool(s)
	return v
}
