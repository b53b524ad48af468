package mail

import (
	"context"
	"strings"
	"testing"
)

func TestRenderBothParts(t *testing.T) {
	t.Parallel()
	link := "https://gate.example/password-reset/AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
	m := PasswordReset("o'brien@example.com", "o'brien&co", link)
	text, html, err := Render(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "\n"+link+"\n") {
		t.Errorf("text part lacks the link on its own line:\n%s", text)
	}
	if !strings.Contains(text, "Hi o'brien&co,") || strings.Contains(text, "&amp;") || strings.Contains(text, "&#39;") {
		t.Errorf("text part is escaped:\n%s", text)
	}
	for _, line := range strings.Split(text, "\n") {
		if len(line) > 72 && line != link {
			t.Errorf("line longer than 72 columns: %q", line)
		}
	}
	if !strings.Contains(html, `href="`+link+`"`) || !strings.Contains(html, "o&#39;brien&amp;co") {
		t.Errorf("html part lacks the link or does not escape:\n%s", html)
	}
}

func TestAddressInUseNamesBothWays(t *testing.T) {
	t.Parallel()
	for _, change := range []bool{false, true} {
		text, html, err := Render(context.Background(), AddressInUse("ann@example.com", "https://gate.example/login", "https://gate.example/password-reset", change))
		if err != nil {
			t.Fatal(err)
		}
		want := "create a Gatehouse account"
		if change {
			want = "the email address of another"
		}
		if !strings.Contains(strings.Join(strings.Fields(text), " "), want) || !strings.Contains(text, "\nhttps://gate.example/login\n") ||
			!strings.Contains(html, `href="https://gate.example/login"`) || !strings.Contains(text, "reset your password") {
			t.Errorf("change=%v:\n%s", change, text)
		}
	}
}
