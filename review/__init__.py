"""The reviewers' web app (人工复核, issue 6)."""
