package signalsdebug_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gosignals/signals/modelsignals"
	"github.com/gosignals/signals/outbox"
	"github.com/gosignals/signals/signalsdebug"
)

type Patient struct {
	ID    uint
	Name  string `signals:"sensitive"`
	Email string `json:"email"`
	Ward  string
}

func patientPayload(t *testing.T, label string) []byte {
	t.Helper()
	inst, err := outbox.MarshalInstance(&Patient{ID: 7, Name: "Ada <script>", Email: "ada@x", Ward: "B"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := outbox.Encode(&outbox.Envelope{ID: outbox.NewID(), Signal: "post_save", Model: label, PK: "7",
		Instance: inst, Changed: map[string]outbox.Change{"Name": {Old: []byte(`"A"`), New: []byte(`"Ada"`)}, "Ward": {Old: []byte(`"A"`), New: []byte(`"B"`)}},
		OccurredAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A preview shows the envelope's metadata and its fields' names; values
// only when asked, sensitive fields never, and no value of a model this
// process does not know.
func TestPreviewRedacts(t *testing.T) {
	m, err := modelsignals.Register(modelsignals.Model{Type: reflect.TypeFor[Patient](), Label: "debug.Patient"})
	if err != nil {
		t.Fatal(err)
	}
	payload := patientPayload(t, m.Label)
	redacted := signalsdebug.Preview(payload, false)
	for _, want := range []string{`"model":"debug.Patient"`, `"pk":"7"`, `"Name":"[sensitive]"`, `"email":"[redacted]"`, `"Ward":"[redacted]"`} {
		if !strings.Contains(redacted, want) {
			t.Errorf("redacted preview lacks %s: %s", want, redacted)
		}
	}
	if strings.Contains(redacted, "ada@x") || strings.Contains(redacted, "Ada") {
		t.Errorf("a value leaked: %s", redacted)
	}
	shown := signalsdebug.Preview(payload, true)
	for _, want := range []string{`"email":"ada@x"`, `"Ward":["A","B"]`, `"Name":"[sensitive]"`} {
		if !strings.Contains(shown, want) {
			t.Errorf("preview with values lacks %s: %s", want, shown)
		}
	}
	if strings.Contains(shown, "Ada") || strings.Contains(shown, "<script>") {
		t.Errorf("a sensitive value leaked: %s", shown)
	}
	unknown := signalsdebug.Preview(patientPayload(t, "elsewhere.Patient"), true)
	if strings.Contains(unknown, "ada@x") || !strings.Contains(unknown, `"email":"[redacted]"`) {
		t.Errorf("the values of an unknown model were shown: %s", unknown)
	}
	if got := signalsdebug.Preview([]byte(`{"v":9}`), true); !strings.HasPrefix(got, "(not an envelope: ") {
		t.Errorf("Preview of a bad payload: %s", got)
	}
}

// The replay endpoint refuses what is not a same-site POST with the page's
// token, and everything when replay is off; nothing reaches the outbox.
func TestReplayRefusals(t *testing.T) {
	var nothing signalsdebug.Outbox // never reached
	on := httptest.NewServer(signalsdebug.Handler(signalsdebug.WithOutbox("main", nothing), signalsdebug.AllowReplay()))
	defer on.Close()
	off := httptest.NewServer(signalsdebug.Handler(signalsdebug.WithOutbox("main", nothing)))
	defer off.Close()
	form := url.Values{"token": {"guess"}, "outbox": {"main"}, "id": {"1"}}
	post := func(srv *httptest.Server, header map[string]string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/debug/signals/durable/replay", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	for _, c := range []struct {
		what   string
		srv    *httptest.Server
		header map[string]string
		msg    string
	}{
		{"replay off", off, nil, "replay is off"},
		{"wrong token", on, nil, "wrong token"},
		{"another site (fetch metadata)", on, map[string]string{"Sec-Fetch-Site": "cross-site"}, "cross-site request refused"},
		{"another site (origin)", on, map[string]string{"Origin": "https://evil.example"}, "cross-site request refused"},
	} {
		if code, body := post(c.srv, c.header); code != http.StatusForbidden || !strings.Contains(body, c.msg) {
			t.Errorf("%s: %d %q, want 403 saying %q", c.what, code, body, c.msg)
		}
	}
	res, err := http.Get(on.URL + "/debug/signals/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "no outbox to show") {
		t.Errorf("the page of a nil outbox: %d", res.StatusCode)
	}
	res, err = http.Get(on.URL + "/debug/signals/durable/replay")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET replay: %d", res.StatusCode)
	}
}
