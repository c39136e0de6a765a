package authtest

import (
	"strings"
	"testing"
)

func TestReadMotoKeySaysHowToInstallMoto(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // neither python3 nor moto_server can be found
	_, err := readMotoKey()
	if err == nil || !strings.Contains(err.Error(), "pip install 'moto[server]'") {
		t.Fatalf("readMotoKey() error = %v, want one that says pip install 'moto[server]'", err)
	}
}
