package mail

// The mails, one constructor each. Links are absolute (the site's base URL)
// and made by the caller.

// VerifyEmail asks a new user to confirm their address.
func VerifyEmail(to, username, link string) Mail {
	return Mail{
		To: to, Subject: "Confirm your email address",
		Greeting: "Hi " + username + ",",
		Before:   []string{"Please confirm that " + to + " is the email address of your Gatehouse account " + username + "."},
		Action:   &Action{Label: "Confirm email address", URL: link},
		After: []string{
			"The link works once, for 3 days.",
			"If you did not create this account, ignore this mail: the address stays unconfirmed.",
		},
	}
}

// ConfirmNewEmail goes to the new address of an email change; the change
// happens only when its link is opened.
func ConfirmNewEmail(to, username, link string) Mail {
	return Mail{
		To: to, Subject: "Confirm your new email address",
		Greeting: "Hi " + username + ",",
		Before: []string{"You asked to change the email address of your Gatehouse account " + username +
			" to " + to + ". Your address changes when you confirm it."},
		Action: &Action{Label: "Confirm new address", URL: link},
		After: []string{
			"The link works once, for 3 days.",
			"If you did not ask for this, ignore this mail: nothing changes.",
		},
	}
}

// EmailChanged tells the old address that the account moved away from it.
func EmailChanged(to, username, newEmail, resetLink string) Mail {
	return Mail{
		To: to, Subject: "Your email address was changed",
		Greeting: "Hi " + username + ",",
		Before: []string{"The email address of your Gatehouse account " + username + " was changed from " + to +
			" to " + newEmail + ". Mail about the account now goes to the new address."},
		After: []string{"If you did not make this change, someone else may be using your account: reset your password at " +
			resetLink + " and tell the site's administrators."},
	}
}

// PasswordReset carries a reset link.
func PasswordReset(to, username, link string) Mail {
	return Mail{
		To: to, Subject: "Reset your password",
		Greeting: "Hi " + username + ",",
		Before:   []string{"Someone, hopefully you, asked to reset the password of your Gatehouse account " + username + "."},
		Action:   &Action{Label: "Choose a new password", URL: link},
		After: []string{
			"The link works once, for 1 hour. Setting a new password signs the account out everywhere.",
			"If you did not ask for this, ignore this mail: your password stays as it is.",
		},
	}
}

// PasswordResetUnknown answers a reset request for an address no account
// uses, so the person who typed it learns why no link came.
func PasswordResetUnknown(to, registerLink string) Mail {
	return Mail{
		To: to, Subject: "Password reset request",
		Greeting: "Hello,",
		Before: []string{"Someone, hopefully you, asked to reset a Gatehouse password for " + to +
			", but no account uses this address. Perhaps you signed up with another one."},
		Action: &Action{Label: "Create an account", URL: registerLink},
		After:  []string{"If you did not ask for this, ignore this mail."},
	}
}

// PasswordChanged confirms a password change or reset.
func PasswordChanged(to, username, when, ip, resetLink string) Mail {
	return Mail{
		To: to, Subject: "Your password was changed",
		Greeting: "Hi " + username + ",",
		Before: []string{"The password of your Gatehouse account " + username + " was changed on " + when +
			" from the address " + ip + ". Other sessions of the account were signed out."},
		After: []string{"If you did not do this, reset your password at " + resetLink +
			" right away and tell the site's administrators."},
	}
}

// AddressInUse goes to an address someone tried to sign up with (change
// false) or to make the new address of another account (change true)
// while an account here already has it: with prevent-enumeration on, the
// person who tried is not told, the address's owner is.
func AddressInUse(to, loginLink, resetLink string, change bool) Mail {
	tried := "Someone tried to create a Gatehouse account with the address " + to + ", which already belongs to an account here."
	if change {
		tried = "Someone tried to make " + to + " the email address of another Gatehouse account, but it already belongs to an account here. Nothing was changed."
	}
	return Mail{
		To: to, Subject: "Your email address is already in use",
		Greeting: "Hello,",
		Before:   []string{tried, "If it was you, sign in to your account instead, or reset your password at " + resetLink + " if you have forgotten it."},
		Action:   &Action{Label: "Sign in", URL: loginLink},
		After:    []string{"If it was not you, ignore this mail: your account is unchanged."},
	}
}
