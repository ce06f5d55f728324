"""Running one inspection: the runner (lock, crawl subprocess, exit status), the finishing stage
after the crawl, and the score card of a stored inspection."""
