"""Mail capture: IMAP mailboxes read by a periodic job, matched to contacts and logged as interactions."""
