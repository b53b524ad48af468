package auth

import "strings"

// maxUserAgentLen bounds the part of a User-Agent header that is examined;
// real ones are a few hundred bytes and the interesting tokens come early.
const maxUserAgentLen = 1024

// browserRule maps a product token to a browser name. Order matters:
// Chromium-based browsers also send "Chrome/" and "Safari/", and nearly
// every browser sends "Safari/" or "Mozilla/", so the specific tokens are
// tried first.
type browserRule struct {
	token   string // product token including the slash, or a prefix
	name    string
	version bool // append the major version that follows token
}

var browserRules = [...]browserRule{
	{"Edg/", "Edge", true},
	{"EdgA/", "Edge", true},
	{"EdgiOS/", "Edge", true},
	{"Edge/", "Edge", true},
	{"OPR/", "Opera", true},
	{"OPT/", "Opera", true},
	{"OPiOS/", "Opera", true},
	{"SamsungBrowser/", "Samsung Internet", true},
	{"YaBrowser/", "Yandex Browser", true},
	{"Vivaldi/", "Vivaldi", true},
	{"Firefox/", "Firefox", true},
	{"FxiOS/", "Firefox", true},
	{"CriOS/", "Chrome", true},
	// Also matches "HeadlessChrome/" and "Chromium/…Chrome/".
	{"Chrome/", "Chrome", true},
	{"MSIE ", "Internet Explorer", true},
	{"Trident/", "Internet Explorer", false},
	{"curl/", "curl", false},
	{"Wget/", "Wget", false},
}

// osRule maps a token to an operating system; the same ordering concern
// applies (iOS says "like Mac OS X", Android and ChromeOS say "Linux").
type osRule struct {
	token, name string
}

var osRules = [...]osRule{
	{"iPhone", "iOS"},
	{"iPad", "iOS"},
	{"iPod", "iOS"},
	{"Android", "Android"},
	{"CrOS", "ChromeOS"},
	{"Windows", "Windows"},
	{"Macintosh", "macOS"},
	{"Mac OS X", "macOS"},
	{"Linux", "Linux"},
}

// DescribeUserAgent returns a short browser name with its major version
// ("Firefox 128", "Chrome 120", "Safari 17", "Edge 120", "curl", or
// "Unknown browser") and the operating system ("Windows", "macOS", "iOS",
// "Android", "Linux", "ChromeOS" or "Unknown OS") for the sessions page.
// The result is built only from fixed names and digits, so it is safe to
// show whatever the header contained.
func DescribeUserAgent(ua string) (browser, os string) {
	if len(ua) > maxUserAgentLen {
		ua = ua[:maxUserAgentLen]
	}
	return describeBrowser(ua), describeOS(ua)
}

func describeBrowser(ua string) string {
	for _, r := range browserRules {
		i := strings.Index(ua, r.token)
		if i < 0 {
			continue
		}
		if r.version {
			if v := majorVersion(ua[i+len(r.token):]); v != "" {
				return r.name + " " + v
			}
		}
		if r.token == "Trident/" {
			// IE 11 dropped "MSIE" and reports "rv:11.0" instead.
			if j := strings.Index(ua, "rv:"); j >= 0 {
				if v := majorVersion(ua[j+3:]); v != "" {
					return r.name + " " + v
				}
			}
		}
		return r.name
	}
	// Safari is identified by the absence of the tokens above; its version
	// is in "Version/", its "Safari/" number being the WebKit build.
	if strings.Contains(ua, "Safari/") || strings.Contains(ua, "AppleWebKit/") && strings.Contains(ua, "Mobile/") {
		if i := strings.Index(ua, "Version/"); i >= 0 {
			if v := majorVersion(ua[i+len("Version/"):]); v != "" {
				return "Safari " + v
			}
		}
		return "Safari"
	}
	return "Unknown browser"
}

func describeOS(ua string) string {
	for _, r := range osRules {
		if strings.Contains(ua, r.token) {
			return r.name
		}
	}
	return "Unknown OS"
}

// majorVersion returns the leading digits of s (at most 4, which no
// browser version needs to exceed and which keeps the output short).
func majorVersion(s string) string {
	n := 0
	for n < len(s) && n < 4 && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return s[:n]
}
