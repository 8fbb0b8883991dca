// Command etcd is etcd's own server entry point (go.etcd.io/etcd/server/v3/etcdmain), built
// inside this module because `go install go.etcd.io/etcd/v3@version` refuses modules with
// replace directives.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
