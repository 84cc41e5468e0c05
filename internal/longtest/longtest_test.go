package longtest

import "testing"

func TestEnabled(t *testing.T) {
	for _, c := range []struct {
		env  string
		want bool
	}{{"", false}, {"0", false}, {"1", !testing.Short()}} {
		t.Setenv(Env, c.env)
		if got := Enabled(); got != c.want {
			t.Errorf("%s=%q: Enabled() = %v, want %v", Env, c.env, got, c.want)
		}
	}
}
