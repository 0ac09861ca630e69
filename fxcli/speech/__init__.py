"""Speech timing from text: words -> ARPAbet phones (pocketsphinx's US-English dictionary, with
letter-to-sound rules for words it lacks) -> phone durations -> viseme (mouth shape) targets."""

from fxcli.speech.phones import PhoneSpan, text_to_phones

__all__ = ["PhoneSpan", "text_to_phones"]
