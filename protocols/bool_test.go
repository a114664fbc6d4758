package protocols

import "testing"

func TestParseBool(t *testing.T) {
	tests := []struct {
		in        string
		value, ok bool
	}{
		{"1", true, true}, {"TRUE", true, true}, {" yes ", true, true}, {"On", true, true},
		{"0", false, true}, {"false", false, true}, {"NO", false, true}, {"off", false, true},
		{"", false, false}, {"2", false, false}, {"truthy", false, false}, {"y", false, false},
	}
	for _, tt := range tests {
		if v, ok := ParseBool(tt.in); v != tt.value || ok != tt.ok {
			t.Errorf("ParseBool(%q) = %v, %v; want %v, %v", tt.in, v, ok, tt.value, tt.ok)
		}
		if IsTrue(tt.in) != tt.value {
			t.Errorf("IsTrue(%q) = %v", tt.in, !tt.value)
		}
	}
}
