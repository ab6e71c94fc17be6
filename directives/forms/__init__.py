"""Forms: parse and validate what a person typed, then the view calls one service. One module per area:
``intake`` (logging a directive), ``directive_actions`` (the directive page), ``obligations``, ``tasks``
(the task page), ``task_filters`` (the task list), and ``fields`` (what they share). Views never define
forms."""
