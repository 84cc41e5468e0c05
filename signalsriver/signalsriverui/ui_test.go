package signalsriverui_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gosignals/signals/internal/browsertest"
	"github.com/gosignals/signals/signalsriver/internal/demo"
	"github.com/gosignals/signals/signalsriver/internal/rtest"
	"github.com/gosignals/signals/signalsriver/signalsriverui"
)

// River UI over the demo's durable receivers, with real jobs in every
// state: its API lists them, the page Chromium renders shows them, and
// screenshots of the job list and of a discarded job are kept as
// artifacts (river-ui.png, river-ui-job.png).
func TestRiverUIInHeadlessChromium(t *testing.T) {
	br := browsertest.Chromium(t)
	br.VirtualTime = 10 * time.Second // River UI loads its jobs with scripts
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := demo.Open(ctx, "", filepath.Join(t.TempDir(), "demo.db"), rtest.Quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(app.Stop)
	sqlDB, _ := app.DB.DB()
	t.Cleanup(func() { sqlDB.Close() })
	if err := app.Write(ctx, 12); err != nil {
		t.Fatal(err)
	}
	rtest.Run(t, app.Worker)
	finalized := func() int64 {
		return rtest.Count(t, app.DB, "SELECT COUNT(*) FROM river_job WHERE state IN ('completed', 'cancelled', 'discarded')")
	}
	// 12 welcome + 12 invoice (after 2 failures) + 8 audits completed, 4
	// audits cancelled, 12 partner syncs discarded; 12 reports running.
	rtest.WaitProgress(t, 60*time.Second, "the jobs' final states", finalized, 48)

	h, err := signalsriverui.Handler(ctx, app.Worker.Client(), signalsriverui.Options{Prefix: "/riverui", Logger: rtest.Quiet})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/riverui/", h)
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	defer srv.Close()

	discarded := apiJobs(t, srv.URL+"/riverui/api/jobs?state=discarded&limit=20")
	if len(discarded) != 12 {
		t.Fatalf("River UI's API lists %d discarded jobs, want 12", len(discarded))
	}
	for _, j := range discarded {
		if j.Kind != "signals."+demo.Sync || j.Attempt != 3 || !strings.Contains(j.Args, `"receiver":"`+demo.Sync+`"`) {
			t.Fatalf("discarded job %+v", j)
		}
	}

	list := srv.URL + "/riverui/jobs?state=completed"
	dom := br.DOM(t, list)
	for _, want := range []string{"signals." + demo.Invoice, "signals_billing_open_invoice"} {
		if !strings.Contains(dom, want) {
			t.Fatalf("the page Chromium rendered lacks %q:\n%s", want, dom)
		}
	}
	br.Shoot(t, "river-ui.png", list, 1400, 900)
	br.Shoot(t, "river-ui-job.png", fmt.Sprintf("%s/riverui/jobs/%d", srv.URL, discarded[0].ID), 1400, 1000)
}

type apiJob struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`
	Attempt int    `json:"attempt"`
	Args    string `json:"args"`
}

func apiJobs(t *testing.T, url string) []apiJob {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data []apiJob `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s, %v", url, resp.Status, err)
	}
	return body.Data
}
