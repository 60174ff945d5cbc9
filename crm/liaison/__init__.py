"""The association liaisons' portal: their members, statuses and referrals."""
