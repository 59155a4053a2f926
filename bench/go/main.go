// Command gobench times go-proxyproto (Debian's golang-github-pires-go-proxyproto-dev)
// over the inputs of bench-cases.md, with the same case names as our C++
// benchmarks, and prints one JSON object per benchmark: name, ns_per_op,
// allocs_per_op, bytes_per_op, iterations.
//
// Every input is first decoded and checked against the expected fields;
// a mismatch exits non-zero before anything is timed.
//
//	GOFLAGS=-mod=mod GOPROXY=off go run . [-benchtime 1s] [-case NAME]
package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	proxyproto "github.com/pires/go-proxyproto"
	"github.com/pires/go-proxyproto/tlvparse"
)

type benchCase struct {
	name    string
	hex     string
	version byte
	local   bool // LOCAL (v2) or UNKNOWN (v1): no addresses
	source  string
	dest    string
	tlvs    int
}

// The inputs of bench-cases.md, byte for byte.
var cases = []benchCase{
	{"v1_tcp4", "50524f58592054435034203139322e3136382e302e31203139322e3136382e302e3131203536333234203434330d0a", 1, false, "192.168.0.1:56324", "192.168.0.11:443", 0},
	{"v1_tcp6", "50524f5859205443503620323030313a306462383a383561333a303030303a303030303a386132653a303337303a3733333420323030313a306462383a383561333a303030303a303030303a386132653a303337303a37333335203536333234203434330d0a", 1, false, "[2001:db8:85a3::8a2e:370:7334]:56324", "[2001:db8:85a3::8a2e:370:7335]:443", 0},
	{"v1_unknown", "50524f585920554e4b4e4f574e0d0a", 1, true, "", "", 0},
	{"v2_tcp4", "0d0a0d0a000d0a515549540a2111000cc0a80001c0a8000bdc0401bb", 2, false, "192.168.0.1:56324", "192.168.0.11:443", 0},
	{"v2_tcp6", "0d0a0d0a000d0a515549540a2121002420010db885a3000000008a2e0370733420010db885a3000000008a2e03707335dc0401bb", 2, false, "[2001:db8:85a3::8a2e:370:7334]:56324", "[2001:db8:85a3::8a2e:370:7335]:443", 0},
	{"v2_tcp4_tlvs", "0d0a0d0a000d0a515549540a21110070c0a80001c0a8000bdc0401bb010002683202000b6578616d706c652e636f6d05002030663165326433633462356136393738383739366135623463336432653166302000240700000000210007544c5376312e33220012636c69656e742e6578616d706c652e636f6d0300042fcd11a3", 2, false, "192.168.0.1:56324", "192.168.0.11:443", 5},
	{"v2_local", "0d0a0d0a000d0a515549540a20000000", 2, true, "", "", 0},
}

type result struct {
	Name        string  `json:"name"`
	NsPerOp     float64 `json:"ns_per_op"`
	AllocsPerOp int64   `json:"allocs_per_op"`
	BytesPerOp  int64   `json:"bytes_per_op"`
	Iterations  int     `json:"iterations"`
}

// reader re-reads the same bytes on every call without allocating.
type reader struct {
	data  []byte
	bytes *bytes.Reader
	buf   *bufio.Reader
}

func newReader(data []byte) *reader {
	b := bytes.NewReader(data)
	return &reader{data: data, bytes: b, buf: bufio.NewReaderSize(b, 4096)}
}

func (r *reader) read() (*proxyproto.Header, error) {
	r.bytes.Reset(r.data)
	r.buf.Reset(r.bytes)
	return proxyproto.Read(r.buf)
}

// walk reads every TLV and the SSL sub-TLVs with the library's typed
// accessors, as the C++ BM_parse_walk_tlvs does.
func walk(h *proxyproto.Header) (int, error) {
	tlvs, err := h.TLVs()
	if err != nil {
		return 0, err
	}
	sum := 0
	for _, t := range tlvs {
		sum += int(t.Type) + len(t.Value)
	}
	if ssl, ok := tlvparse.FindSSL(tlvs); ok {
		sum += int(ssl.Client) + int(ssl.Verify) + len(ssl.TLV)
		v, _ := ssl.SSLVersion()
		cn, _ := ssl.ClientCN()
		sum += len(v) + len(cn)
	}
	return sum, nil
}

func check(c benchCase, h *proxyproto.Header) error {
	if h.Version != c.version {
		return fmt.Errorf("version %d", h.Version)
	}
	if c.local {
		if h.Command != proxyproto.LOCAL {
			return fmt.Errorf("command %v, want LOCAL", h.Command)
		}
		return nil
	}
	src, dst, ok := h.TCPAddrs()
	if !ok || src.String() != c.source || dst.String() != c.dest {
		return fmt.Errorf("addresses %v %v", h.SourceAddr, h.DestinationAddr)
	}
	tlvs, err := h.TLVs()
	if err != nil || len(tlvs) != c.tlvs {
		return fmt.Errorf("%d TLVs (%v), want %d", len(tlvs), err, c.tlvs)
	}
	if c.tlvs > 0 {
		ssl, ok := tlvparse.FindSSL(tlvs)
		cn, _ := ssl.ClientCN()
		if !ok || cn != "client.example.com" {
			return fmt.Errorf("SSL TLV")
		}
	}
	return nil
}

func run(name string, f func(b *testing.B)) result {
	r := testing.Benchmark(f)
	return result{name, float64(r.T.Nanoseconds()) / float64(r.N), r.AllocsPerOp(), r.AllocedBytesPerOp(), r.N}
}

func main() {
	benchtime := flag.Duration("benchtime", time.Second, "time per benchmark")
	only := flag.String("case", "", "run only this case (default: every case)")
	flag.Parse()
	testing.Init()
	if err := flag.Set("test.benchtime", benchtime.String()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := json.NewEncoder(os.Stdout)
	found := *only == ""
	for _, c := range cases {
		if *only != "" && c.name != *only {
			continue
		}
		found = true
		data, err := hex.DecodeString(c.hex)
		if err != nil {
			panic(err)
		}
		r := newReader(data)
		h, err := r.read()
		if err == nil {
			err = check(c, h)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "gobench: %s does not decode as expected: %v\n", c.name, err)
			os.Exit(1)
		}
		out.Encode(run("BM_parse/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := r.read(); err != nil {
					b.Fatal(err)
				}
			}
		}))
		if c.version == 2 {
			out.Encode(run("BM_parse_walk_tlvs/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					h, err := r.read()
					if err != nil {
						b.Fatal(err)
					}
					if _, err := walk(h); err != nil {
						b.Fatal(err)
					}
				}
			}))
		}
		if !c.local && c.tlvs == 0 {
			// Format() writes what was parsed; check that it gives the input back
			// (v1 TCP6: Go writes the short IPv6 form, so compare by re-parsing).
			formatted, err := h.Format()
			if err != nil {
				fmt.Fprintf(os.Stderr, "gobench: %s does not format: %v\n", c.name, err)
				os.Exit(1)
			}
			again, err := newReader(formatted).read()
			if err != nil || check(c, again) != nil || (c.name != "v1_tcp6" && !bytes.Equal(formatted, data)) {
				fmt.Fprintf(os.Stderr, "gobench: %s formats to %x\n", c.name, formatted)
				os.Exit(1)
			}
			out.Encode(run("BM_build/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if _, err := h.Format(); err != nil {
						b.Fatal(err)
					}
				}
			}))
		}
	}
	if !found {
		fmt.Fprintf(os.Stderr, "gobench: no case %q\n", *only)
		os.Exit(2)
	}
}
