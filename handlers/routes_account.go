package handlers

// lifecycleRoutes registers verification, password reset and the sessions
// page (issue: account lifecycle).
func (s *Server) lifecycleRoutes() {
	a := s.router

	s.getPage("/password-reset", s.resetRequestShow)
	a.Post("/password-reset", s.resetRequestSubmit)
	s.getPage("/password-reset/sent", s.resetSentShow)
	a.Get(resetFormPath, s.resetSetShow)
	a.Post(resetFormPath, s.resetSetSubmit)
	a.Get("/password-reset/:token", s.resetTokenShow)
	a.Post("/password-reset/:token", s.resetTokenSubmit)

	a.Get("/verify-email/:token", s.verifyEmailShow)
	a.Post("/verify-email/resend", s.verifyResend) // before the token route
	a.Post("/verify-email/:token", s.verifyEmail)

	s.getPage("/account/email", s.emailShow, s.mustLogin)
	a.Post("/account/email", guarded(s.emailSubmit, s.mustLogin, s.mustReauth))

	s.getPage("/account/sessions", s.sessionsShow, s.mustLogin)
	a.Post("/account/sessions/revoke", guarded(s.sessionsRevoke, s.mustLogin, s.mustReauth))
	a.Post("/admin/users/:id/sessions/revoke", guarded(s.adminSessionsRevoke, s.mustHave("users.change"), s.mustReauth))
}
