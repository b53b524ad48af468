package handlers

func (s *Server) routes() {
	a := s.router
	s.getPage("/", s.homeShow)

	s.getPage("/register", s.registerShow, s.mustBeAnon)
	a.Post("/register", guarded(s.registerSubmit, s.mustBeAnon))
	a.Post("/register/validate", s.registerValidate)
	s.getPage("/login", s.loginShow, s.mustBeAnon)
	a.Post("/login", guarded(s.loginSubmit, s.mustBeAnon))
	a.Post("/logout", s.logout)

	s.getPage("/account", s.accountShow, s.mustLogin)
	s.getPage("/account/password", s.passwordShow, s.mustLogin)
	a.Post("/account/password", guarded(s.passwordSubmit, s.mustLogin))

	s.adminRoutes()
	s.lifecycleRoutes()
}
