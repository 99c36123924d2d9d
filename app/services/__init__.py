"""The domain rules, one module per domain.

Importing the package wires the event listeners, so every caller of `events.emit` (web
process, worker, command line, tests) feeds the webhook outbox and the notifications; a
membership follows the end of its organization's approval of joining; and what a proposal
decided (guidelines, opening a letter) is applied when it closes.
"""

from app.services import activities, coalitions, event_notifications, events, guidelines, outbox

events.listen(outbox.fan_out)
events.listen(event_notifications.for_event)
events.listen(coalitions.follow_joining)
events.listen(guidelines.follow_vote)
events.listen(activities.follow_vote)
