package outbound

import (
	"context"
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

func TestParseAllow(t *testing.T) {
	for _, tc := range []struct {
		in        string
		prefixes  []string
		hostPorts []string
		bad       bool
	}{
		{in: ""},
		{in: " , ,"},
		{in: "127.0.0.0/8", prefixes: []string{"127.0.0.0/8"}},
		{in: "10.1.2.3/8, fd00::/8", prefixes: []string{"10.0.0.0/8", "fd00::/8"}},
		{in: "10.0.0.7", prefixes: []string{"10.0.0.7/32"}},
		{in: "::1", prefixes: []string{"::1/128"}},
		{in: "::ffff:10.0.0.0/104", prefixes: []string{"10.0.0.0/8"}},
		{in: "idp.corp.example:8443", hostPorts: []string{"idp.corp.example:8443"}},
		{in: "IdP.Corp.Example.:443", hostPorts: []string{"idp.corp.example:443"}},
		{in: "10.0.0.5:8443, [fd00::5]:443", hostPorts: []string{"10.0.0.5:8443", "[fd00::5]:443"}},
		{in: "127.0.0.0/8,localhost:9000", prefixes: []string{"127.0.0.0/8"}, hostPorts: []string{"localhost:9000"}},
		{in: "10.0.0.0/33", bad: true},
		{in: "10.0.0.0/x", bad: true},
		{in: "idp.example", bad: true},
		{in: "idp.example:0", bad: true},
		{in: "idp.example:65536", bad: true},
		{in: "idp.example:https", bad: true},
		{in: "bad host:443", bad: true},
		{in: ":443", bad: true},
		{in: "fe80::1%eth0", bad: true},
		{in: "[fe80::1%eth0]:443", bad: true},
		{in: "127.0.0.0/8, nonsense", bad: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			p, hp, err := ParseAllow(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("accepted: %v %v", p, hp)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ps []string
			for _, x := range p {
				ps = append(ps, x.String())
			}
			if !reflect.DeepEqual(ps, tc.prefixes) || !reflect.DeepEqual(hp, tc.hostPorts) {
				t.Fatalf("got %v %v, want %v %v", ps, hp, tc.prefixes, tc.hostPorts)
			}
			if err := (Config{Allow: p, AllowHostPorts: hp}).Validate(); err != nil {
				t.Fatalf("parsed config does not validate: %v", err)
			}
		})
	}
	if err := (Config{AllowHostPorts: []string{"no-port"}}).Validate(); err == nil {
		t.Fatal("Validate accepted an entry without a port")
	}
}

// TestPolicyDecisions exercises the dial-time decision directly, including
// the Control hook path that runs on the kernel's socket address.
func TestPolicyDecisions(t *testing.T) {
	allowP, allowHP := mustAllow(t, "10.9.0.0/16, 127.0.0.1:8080, [fd00::5]:8443, idp.corp.example:9443")
	p := newPolicy(Config{Allow: allowP, AllowHostPorts: append(allowHP, "garbage")})
	for _, tc := range []struct {
		addr        string
		plaintext   bool
		nameAllowed bool
		ok          bool
	}{
		{"93.184.215.14:443", false, false, true},
		{"[2606:4700::1111]:443", false, false, true},
		{"93.184.215.14:80", true, false, false},  // plaintext to public
		{"93.184.215.14:80", false, false, false}, // TLS but port 80
		{"93.184.215.14:8443", false, false, false},
		{"127.0.0.1:443", false, false, false},
		{"127.0.0.1:8080", true, false, true}, // allow-listed address:port
		{"127.0.0.1:8081", true, false, false},
		{"10.9.1.2:22", true, false, true}, // allow-listed prefix: any port, plaintext
		{"10.10.1.2:443", false, false, false},
		{"[fd00::5]:8443", true, false, true},
		{"[fd00::5]:443", false, false, false},
		{"[::ffff:10.9.1.2]:22", true, false, true}, // judged as the IPv4 address it is
		{"[::ffff:127.0.0.1]:443", false, false, false},
		{"169.254.169.254:443", false, false, false},
		{"[fd00:ec2::254]:443", false, false, false},
		{"100.64.0.1:443", false, false, false},
		{"[64:ff9b::808:808]:443", false, false, false},
		{"10.0.0.1:9443", true, true, true}, // name allow-listed by host:port
	} {
		ap := netip.MustParseAddrPort(tc.addr)
		err := p.check(ap, tc.plaintext, tc.nameAllowed)
		if (err == nil) != tc.ok {
			t.Errorf("check(%s, plaintext=%v) = %v, want ok=%v", tc.addr, tc.plaintext, err, tc.ok)
		}
		if err != nil {
			var oe *Error
			if !errors.As(err, &oe) || oe.Kind != KindRefusedAddress {
				t.Errorf("check(%s): %v is not a refusal", tc.addr, err)
			}
		}
		network := "tcp4"
		sock := netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		if sock.Addr().Is6() {
			network = "tcp6"
		}
		if cerr := p.control(network, sock.String(), tc.plaintext, tc.nameAllowed); (cerr == nil) != tc.ok {
			t.Errorf("control(%s %s) = %v, want ok=%v", network, sock, cerr, tc.ok)
		}
	}
	if p.control("udp4", "93.184.215.14:443", false, false) == nil {
		t.Error("control allowed udp")
	}
	if p.control("tcp4", "not-an-address", false, false) == nil {
		t.Error("control allowed an unparsable address")
	}
	if !p.nameAllowed("IDP.corp.example.", 9443) || p.nameAllowed("idp.corp.example", 443) {
		t.Error("nameAllowed matching is wrong")
	}
}

func TestParseLegacyIPv4(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" = not an address
	}{
		{"2130706433", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"017700000001", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"0177.0.0.01", "127.0.0.1"},
		{"0xA9.0xFE.0xA9.0xFE", "169.254.169.254"},
		{"0x", "0.0.0.0"},
		{"4294967295", "255.255.255.255"},
		{"4294967296", ""},
		{"256.0.0.1", ""},
		{"1.2.3.4.5", ""},
		{"08", ""}, // invalid octal
		{"1.2.65536", ""},
		{"example", ""},
		{"", ""},
	} {
		a, ok := parseLegacyIPv4(tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("%q parsed as %v", tc.in, a)
			}
			continue
		}
		if !ok || a.String() != tc.want {
			t.Errorf("%q = %v %v, want %s", tc.in, a, ok, tc.want)
		}
	}
	for in, want := range map[string]bool{"2130706433": true, "a.0x1f": true, "example.com": false, "a.1b": false, "x.": false} {
		if endsInNumber(in) != want {
			t.Errorf("endsInNumber(%q) != %v", in, want)
		}
	}
}

// TestControlHookAloneRefuses dials below the pre-dial check: the net.Dialer
// Control hook by itself must stop connections to forbidden sockets.
func TestControlHookAloneRefuses(t *testing.T) {
	ln4 := listenCounting(t, "127.0.0.1:0")
	ln6 := listenCounting(t, "[::1]:0")
	c := New(Config{AllowHostPorts: []string{"127.0.0.1:" + ln4.port()}})
	for _, tc := range []struct {
		addr      string
		plaintext bool
		ok        bool
	}{
		{"127.0.0.1:" + ln4.port(), true, true}, // allow-listed: connects
		{"[::ffff:127.0.0.1]:" + ln4.port(), true, true},
		{"[::1]:" + ln6.port(), false, false},
		{"[::1]:" + ln6.port(), true, false},
	} {
		conn, err := c.connect(context.Background(), netip.MustParseAddrPort(tc.addr), tc.plaintext, false)
		if conn != nil {
			conn.Close()
		}
		if (err == nil) != tc.ok {
			t.Errorf("connect(%s) = %v, want ok=%v", tc.addr, err, tc.ok)
		}
		if err != nil {
			wantKind(t, err, KindRefusedAddress)
		}
	}
	if ln6.accepts.Load() != 0 {
		t.Fatal("Control hook let a forbidden connection through")
	}
	// And a listener we did not allow on another loopback port:
	other := listenCounting(t, "127.0.0.1:0")
	if _, err := c.connect(context.Background(), netip.MustParseAddrPort("127.0.0.1:"+other.port()), false, false); err == nil {
		t.Fatal("connected to a non-allow-listed port")
	}
	if other.accepts.Load() != 0 {
		t.Fatal("Control hook let a forbidden connection through")
	}
}
