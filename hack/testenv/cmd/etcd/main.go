// Command etcd is the etcd server at the exact version kube-apiserver v1.35 is built against,
// so the test control plane needs nothing beyond the Go module proxy.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
