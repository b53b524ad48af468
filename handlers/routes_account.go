package handlers

// lifecycleRoutes registers verification, password reset and the sessions
// page (issue: account lifecycle).
func (s *Server) lifecycleRoutes() {
}
