package auth

import (
	"strings"
	"testing"
)

func TestDescribeUserAgent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ua, browser, os string
	}{
		{"firefox windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
			"Firefox 128", "Windows"},
		{"firefox linux",
			"Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
			"Firefox 126", "Linux"},
		{"firefox mac",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0",
			"Firefox 127", "macOS"},
		{"firefox ios",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15",
			"Firefox 127", "iOS"},
		{"firefox android",
			"Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0",
			"Firefox 127", "Android"},
		{"chrome windows",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
			"Chrome 120", "Windows"},
		{"chrome mac",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
			"Chrome 126", "macOS"},
		{"chrome android",
			"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
			"Chrome 126", "Android"},
		{"chrome ios",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
			"Chrome 126", "iOS"},
		{"chromeos",
			"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
			"Chrome 125", "ChromeOS"},
		{"headless chrome",
			"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.109 Safari/537.36",
			"Chrome 120", "Linux"},
		{"edge",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
			"Edge 120", "Windows"},
		{"edge android",
			"Mozilla/5.0 (Linux; Android 10; HD1913) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36 EdgA/126.0.2592.61",
			"Edge 126", "Android"},
		{"edge ios",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/126.2592.56 Mobile/15E148 Safari/605.1.15",
			"Edge 126", "iOS"},
		{"legacy edge",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19582",
			"Edge 18", "Windows"},
		{"opera",
			"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/111.0.0.0",
			"Opera 111", "Windows"},
		{"samsung",
			"Mozilla/5.0 (Linux; Android 13; SM-S901B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
			"Samsung Internet 25", "Android"},
		{"safari mac",
			"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
			"Safari 17", "macOS"},
		{"safari iphone",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
			"Safari 17", "iOS"},
		{"safari ipad",
			"Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
			"Safari 16", "iOS"},
		{"ios webview",
			"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
			"Safari", "iOS"},
		{"ie11",
			"Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
			"Internet Explorer 11", "Windows"},
		{"ie10",
			"Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; Trident/6.0)",
			"Internet Explorer 10", "Windows"},
		{"curl", "curl/8.5.0", "curl", "Unknown OS"},
		{"wget", "Wget/1.21.4", "Wget", "Unknown OS"},
		{"empty", "", "Unknown browser", "Unknown OS"},
		{"junk", "<script>alert(1)</script>", "Unknown browser", "Unknown OS"},
		{"go client", "Go-http-client/1.1", "Unknown browser", "Unknown OS"},
		{"version without digits", "Firefox/abc", "Firefox", "Unknown OS"},
		{"absurd version truncated", "Chrome/123456789", "Chrome 1234", "Unknown OS"},
		{"token past the examined prefix", strings.Repeat("x", 2000) + " Firefox/128.0", "Unknown browser", "Unknown OS"},
	}
	for _, tt := range tests {
		b, o := DescribeUserAgent(tt.ua)
		if b != tt.browser || o != tt.os {
			t.Errorf("%s: DescribeUserAgent = %q, %q; want %q, %q", tt.name, b, o, tt.browser, tt.os)
		}
	}
}

func FuzzDescribeUserAgent(f *testing.F) {
	f.Add("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91")
	f.Add("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko")
	f.Add("curl/8.5.0")
	f.Add("Chrome/")
	f.Fuzz(func(t *testing.T, ua string) {
		b, o := DescribeUserAgent(ua)
		// Output is only fixed names, a space and digits, whatever came in.
		for _, s := range []string{b, o} {
			if s == "" || len(s) > 40 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") != "" {
				t.Fatalf("DescribeUserAgent(%q) = %q, %q", ua, b, o)
			}
		}
	})
}

func BenchmarkDescribeUserAgent(b *testing.B) {
	for _, bc := range []struct{ name, ua string }{
		{"safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"},
		{"edge", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				DescribeUserAgent(bc.ua)
			}
		})
	}
}
