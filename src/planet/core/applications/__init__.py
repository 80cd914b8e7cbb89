"""Business applications on the ledger: a business applies with its new key, the operator
approves (which registers it) or declines with a reason, and the applicant may withdraw.

The first transaction from an unknown key is allowed for two purposes only: a resident's
registration (`accounts/register`, paid for by an invitation code) and an application
(`applications/apply` and `withdraw`). An application costs nothing, so what bounds it is
the queue: at most `max_pending_applications` wait at once (`ApplicationQueueFull`), one per
key, and a key whose last application was decided or withdrawn waits
`application_retry_ms` to apply again. The key's transactions are counted before it has an
account (`accounts/key_seq/<address>`), so its signed bytes never apply twice; once approved,
the business's account continues that sequence. A flood of fresh keys can fill the queue;
that costs the operator's attention (declining them), never unbounded state.
"""
