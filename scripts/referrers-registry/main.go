// Command referrers-registry serves olareg (github.com/olareg/olareg), an OCI-conformant registry
// with the OCI 1.1 referrers API, over TLS: the registry that tests the referrers path of
// TrustSync's registry client, which the CNCF Distribution registry (no referrers API) cannot.
// Test tooling only: scripts/referrers-registry.sh builds it once.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/olareg/olareg"
	"github.com/olareg/olareg/config"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:5000", "host:port to listen on")
	cert := flag.String("cert", "", "TLS certificate (PEM) file")
	key := flag.String("key", "", "TLS private key (PEM) file")
	dir := flag.String("dir", "", "storage directory (OCI layouts); empty keeps everything in memory")
	flag.Parse()
	if *cert == "" || *key == "" {
		fmt.Fprintln(os.Stderr, "referrers-registry: -cert and -key are required (it serves TLS only)")
		os.Exit(2)
	}
	storage := config.ConfigStorage{StoreType: config.StoreMem}
	if *dir != "" {
		storage = config.ConfigStorage{StoreType: config.StoreDir, RootDir: *dir}
	}
	enabled := true
	server := olareg.New(config.Config{
		HTTP:    config.ConfigHTTP{Addr: *addr, CertFile: *cert, KeyFile: *key},
		Storage: storage,
		API:     config.ConfigAPI{Referrer: config.ConfigAPIReferrer{Enabled: &enabled}},
		Log:     slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- server.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			fmt.Fprintln(os.Stderr, "referrers-registry:", err)
			os.Exit(1)
		}
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := server.Shutdown(shutdown); err != nil {
			fmt.Fprintln(os.Stderr, "referrers-registry: shutdown:", err)
		}
		<-done
	}
}
