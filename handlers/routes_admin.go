package handlers

// adminRoutes registers /admin (issue: authorization and the admin console).
func (s *Server) adminRoutes() {
}
