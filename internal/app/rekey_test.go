package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEverySealingPackageDeclaresItsColumns: a package that seals values
// with the master key (Sealer.Seal) must declare its sealed columns for
// `seam keys rotate` (a SealedColumns method) and be wired into
// App.Rotator; otherwise a master-key rotation would leave its values
// under the old key, readable only while SEAM_SECRET_KEY_PREVIOUS is set.
func TestEverySealingPackageDeclaresItsColumns(t *testing.T) {
	root := filepath.Join("..")
	rotator, err := os.ReadFile("rekey.go")
	if err != nil {
		t.Fatal(err)
	}
	seals := map[string]bool{}
	declares := map[string]bool{}
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		pkg := filepath.Base(filepath.Dir(path))
		if strings.Contains(string(b), "Sealer.Seal(") {
			seals[pkg] = true
		}
		if strings.Contains(string(b), "SealedColumns() []rekey.Column") {
			declares[pkg] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seals) < 5 {
		t.Fatalf("found only %v sealing packages: the scan is broken", seals)
	}
	for pkg := range seals {
		if !declares[pkg] {
			t.Errorf("package %s seals values but declares no SealedColumns for master-key rotation", pkg)
		}
	}
	for pkg := range declares {
		if !strings.Contains(string(rotator), ".SealedColumns()") || !strings.Contains(strings.ToLower(string(rotator)), pkg) {
			t.Errorf("package %s declares sealed columns that App.Rotator does not collect", pkg)
		}
	}
}
