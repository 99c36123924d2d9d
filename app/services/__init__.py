"""The domain rules, one module per domain.

Importing the package wires the event listeners, so every caller of `events.emit` (web
process, worker, command line, tests) feeds the webhook outbox and the notifications, and a
membership follows the end of its organization's approval of joining.
"""

from app.services import coalitions, event_notifications, events, outbox

events.listen(outbox.fan_out)
events.listen(event_notifications.for_event)
events.listen(coalitions.follow_joining)
