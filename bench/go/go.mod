module proxy_protocol_bench/gobench

go 1.19

require github.com/pires/go-proxyproto v0.4.2

// Debian's golang-github-pires-go-proxyproto-dev, used offline (GOPROXY=off).
replace github.com/pires/go-proxyproto => /usr/share/gocode/src/github.com/pires/go-proxyproto
