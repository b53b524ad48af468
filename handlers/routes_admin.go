package handlers

// adminRoutes registers /admin (issue: authorization and the admin console).
// Every page needs staff and a permission; every change also needs the
// password typed within the last five minutes.
func (s *Server) adminRoutes() {
	a := s.router
	view, change := s.mustHave("users.view"), s.mustHave("users.change")
	a.Get("/admin", guarded(s.adminHome, s.mustBeStaff))
	s.getPage("/admin/users", s.adminUsersList, view)
	a.Post("/admin/users/bulk", guarded(s.adminUsersBulk, change, s.mustReauth))
	s.getPage("/admin/users/:id", s.adminUserShow, view)
	a.Post("/admin/users/:id", guarded(s.adminUserSave, change, s.mustReauth))
	a.Post("/admin/users/:id/password", guarded(s.adminUserPassword, change, s.mustReauth))
	a.Post("/admin/users/:id/unlock", guarded(s.adminUserUnlock, change, s.mustReauth))

	gview, gchange := s.mustHave("groups.view"), s.mustHave("groups.change")
	s.getPage("/admin/groups", s.adminGroupsList, gview)
	a.Post("/admin/groups", guarded(s.adminGroupCreate, gchange, s.mustReauth))
	s.getPage("/admin/groups/:id", s.adminGroupShow, gview)
	a.Post("/admin/groups/:id", guarded(s.adminGroupSave, gchange, s.mustReauth))
	a.Post("/admin/groups/:id/delete", guarded(s.adminGroupDelete, gchange, s.mustReauth))

	s.getPage("/admin/audit", s.adminAudit, s.mustHave("audit.view"))
}
