"""What every stage shares and nothing below it: the settings, and the plain words xunjian speaks
(safe text for people, plain reasons for failures)."""
