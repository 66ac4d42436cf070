package serve

import "testing"

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:8000": true, "localhost:8000": true, "[::1]:8000": true, "127.0.0.2:0": true,
		":8000": false, "0.0.0.0:8000": false, "[::]:8000": false, "192.168.1.5:8000": false, "8000": false,
	} {
		if err := CheckLoopback(addr); (err == nil) != ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%t", addr, err, ok)
		}
	}
}
