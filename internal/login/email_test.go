package login

import "testing"

func TestIsEmailAddress(t *testing.T) {
	tests := map[string]bool{
		"alice@example.com":          true,
		"a.b+tag@mail.example.co.uk": true,
		"o'brien@example.ie":         true,
		"x_y-z@sub-domain.example":   true,
		"josé@exemple.fr":            true,
		"user@bücher.de":             true,
		"alice":                      false,
		"alice@":                     false,
		"@example.com":               false,
		"alice@localhost":            false,
		"alice@evil@example.com":     false,
		"Alice <alice@example.com>":  false,
		"alice@example.com (Alice)":  false,
		" alice@example.com":         false,
		"al ice@example.com":         false,
		`"alice"@example.com`:        false,
		".alice@example.com":         false,
		"alice.@example.com":         false,
		"al..ice@example.com":        false,
		"alice@.example.com":         false,
		"alice@example.com.":         false,
		"alice@exa..mple.com":        false,
		"alice@[127.0.0.1]":          false,
		"alice@exa_mple.com":         false,
		"alice@example.com\n":        false,
	}
	for address, want := range tests {
		if got := isEmailAddress(address); got != want {
			t.Errorf("isEmailAddress(%q) = %v, want %v", address, got, want)
		}
	}
}
