"""Serving: durable task and session state (store), the task board with its embedded pool or Celery
queue (tasks, queue)."""
