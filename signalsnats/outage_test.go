package signalsnats_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gosignals/signals/internal/longtest"

	"github.com/gosignals/signals/signalsgorm"
	"github.com/gosignals/signals/signalswatermill/wmtest"
)

// natsServer is a nats-server process of the test's own, so that it can be
// stopped without touching the shared one.
type natsServer struct {
	t    *testing.T
	bin  string
	port int
	dir  string
	cmd  *exec.Cmd
	runs int
}

func newNATSServer(t *testing.T) *natsServer {
	t.Helper()
	bin, err := exec.LookPath("nats-server")
	if err != nil {
		bin = "/usr/sbin/nats-server"
		if _, err = os.Stat(bin); err != nil {
			wmtest.Require(t, "the nats-server binary", err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := &natsServer{t: t, bin: bin, port: port, dir: t.TempDir()}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *natsServer) url() string { return fmt.Sprintf("nats://127.0.0.1:%d", s.port) }

func (s *natsServer) start() {
	s.t.Helper()
	s.runs++
	logf := filepath.Join(s.dir, fmt.Sprintf("server-%d.log", s.runs))
	s.cmd = exec.Command(s.bin, "-js", "-a", "127.0.0.1", "-p", fmt.Sprint(s.port), "-sd", filepath.Join(s.dir, "store"), "-l", logf)
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.port))
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("nats-server did not start on port %d", s.port)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill stops the server with SIGKILL.
func (s *natsServer) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	_ = s.cmd.Wait()
}

func (s *natsServer) stop() {
	if s.cmd.ProcessState == nil {
		s.kill()
	}
}

// NATS is down for 30 s while the application keeps writing: the outbox
// holds the backlog, and everything is delivered once the server is back.
func TestNATSOutage(t *testing.T) {
	longtest.Require(t, "a 30 s outage")
	srv := newNATSServer(t)
	cfg := natsConfig(t, srv.url())
	a := wmtest.OpenApp(t, "postgres", wmtest.Database(t, "postgres"), cfg.TopicPrefix)
	name := wmtest.Unique("nats.outage.")
	h := signalsgorm.DurablePostSave(name, wmtest.EffectReceiver(a.DB))
	t.Cleanup(func() { h.Disconnect() })
	wmtest.Start(t, a, broker(cfg), name)

	var written atomic.Int64
	stop := make(chan struct{})
	writing := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				writing <- nil
				return
			case <-time.After(50 * time.Millisecond):
			}
			accts := make([]wmtest.Account, 5)
			if err := a.DB.Create(&accts).Error; err != nil {
				writing <- err
				return
			}
			written.Add(int64(len(accts)))
		}
	}()
	time.Sleep(2 * time.Second)
	before := a.Count(t, "SELECT COUNT(*) FROM effects")
	srv.kill()
	down := written.Load()
	time.Sleep(30 * time.Second)
	during := written.Load() - down
	backlog, lag, err := a.Outbox.Backlog(t.Context(), a.SQLDB)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("before the outage %d effects; %d events written while NATS was down; backlog %d, lag %v", before, during, backlog, lag.Round(time.Second))
	if before == 0 || during < 100 || backlog < during/2 || lag < 10*time.Second {
		t.Fatalf("the outage did not go as planned: %d effects before, %d written during, backlog %d, lag %v", before, during, backlog, lag)
	}
	srv.start()
	time.Sleep(2 * time.Second)
	close(stop)
	if err := <-writing; err != nil {
		t.Fatal(err)
	}
	total := written.Load()
	wmtest.WaitProgress(t, 60*time.Second, "every effect", func() int64 { return a.Count(t, "SELECT COUNT(*) FROM effects") }, total)
	time.Sleep(500 * time.Millisecond)
	if got := a.Count(t, "SELECT COUNT(DISTINCT event_id) FROM effects"); got != total {
		t.Fatalf("%d distinct effects, want %d", got, total)
	}
	if got := a.Count(t, "SELECT COUNT(*) FROM effects"); got != total {
		t.Fatalf("%d effects, want %d", got, total)
	}
	if n, _, _ := a.Outbox.Backlog(t.Context(), a.SQLDB); n != 0 {
		t.Fatalf("backlog %d after the outage", n)
	}
}
