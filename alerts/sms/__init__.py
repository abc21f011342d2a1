"""SMS as the care network sees it: messages in and out, words, opt-out, delivery, segments."""
