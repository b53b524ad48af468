package handlers

import (
	"errors"

	"github.com/gofiber/fiber/v3"

	"github.com/gatehouse/gatehouse/account"
	"github.com/gatehouse/gatehouse/components/pages"
)

// linkFailed answers a mailed link that cannot be used: 404 for one that
// never existed, 410 for one that did (used, expired, or no longer
// matching its user); never a 500. Other errors go on to handleError.
func (s *Server) linkFailed(c fiber.Ctx, err error, retryHref, retryLabel string) error {
	status := fiber.StatusGone
	switch {
	case errors.Is(err, account.ErrLinkUnknown):
		status = fiber.StatusNotFound
	case !errors.Is(err, account.ErrLinkDead):
		return err
	}
	p := s.props(c, "Link invalid or expired")
	return s.page(c, status, p, pages.LinkInvalid(retryHref, retryLabel))
}
