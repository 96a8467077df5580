//go:build tools

// Package tools pins the prometheus and promtool commands so `go mod tidy` keeps them in go.sum.
package tools

import (
	_ "github.com/prometheus/prometheus/cmd/prometheus"
	_ "github.com/prometheus/prometheus/cmd/promtool"
)
