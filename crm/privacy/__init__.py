"""Privacy: the read trail of confidential data, Ley 29733 requests (export, erasure), consent, retention."""
