"""Timed phones for any language espeak-ng speaks, from the synthesiser itself.

libespeak-ng (loaded with ctypes, no Python binding needed) synthesises the text in memory and reports
a phoneme event for every phone with its position in the audio (ms) and the character offset of its
word; the audio's length closes the last phone. Phones come as IPA and are mapped to the ARPAbet phone
that stands for their viseme class in fxcli.speech.visemes (open/mid/close-front vowels, rounded,
bilabial, labiodental, ...), so the rest of text2flame is language-blind. The synthesis is
deterministic: the same text and voice give the same timing.

`--lang` takes an espeak-ng language/voice name (`fr`, `es`, `de`, `ja`, `ar`, `zh` ...). Mandarin
characters go to espeak-ng's `cmn-latn-pinyin` voice (the plain `cmn` voice reads its own pinyin with
English rules in espeak-ng 1.51). espeak-ng's Japanese reads kana only and would spell each kanji out
in English ("Chinese letter"); kanji are therefore spoken as one mora each (か), which keeps the
character offsets and gives a duration close to the text's (readings are 1-2 morae per kanji).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
import unicodedata

from fxcli.errors import ModelMissingError, UsageError
from fxcli.speech.phones import PhoneSpan

VOICE_ALIASES = {"zh": "cmn-latn-pinyin", "cmn": "cmn-latn-pinyin", "zh-cn": "cmn-latn-pinyin",
                 "mandarin": "cmn-latn-pinyin", "chinese": "cmn-latn-pinyin"}
_EVENT_WORD, _EVENT_SENTENCE, _EVENT_END, _EVENT_MSG_TERMINATED, _EVENT_PHONEME = 1, 2, 5, 6, 7
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INIT_PHONEME_EVENTS, _INIT_PHONEME_IPA = 0x0001, 0x0002
_CHARS_UTF8 = 1

# IPA base letters -> the ARPAbet phone whose viseme class fits (see fxcli.speech.visemes)
_IPA_CLASS = {
    **dict.fromkeys("aɑæɐɒäɶ", "AA"),  # open vowels
    **dict.fromkeys("eɛəɜʌɘɵœøɤ", "AH"),  # mid vowels (ø, œ: rounded mid, shown mid)
    **dict.fromkeys("iɪɨyʏj", "IY"),  # close front vowels and /j/
    **dict.fromkeys("oɔ", "AO"),  # rounded mid/open
    **dict.fromkeys("uʊɯɰwʉ", "UW"),  # rounded close and /w/
    **dict.fromkeys("ɹɚɝrʁɻɽ", "R"),
    **dict.fromkeys("pbmɓʙ", "P"),
    **dict.fromkeys("fvɱʋ", "F"),
    **dict.fromkeys("θð", "TH"),
    **dict.fromkeys("tdnlszɾɬɮɗɲʎ", "T"),
    **dict.fromkeys("ʃʒɕʑʂʐç", "SH"),
    **dict.fromkeys("kgɡŋxɣqɢχʁʔhħʕɦ", "K"),
}
VOWEL_PHONES = {"AA", "AH", "IY", "AO", "UW"}


class _Event(ctypes.Structure):
    class _Id(ctypes.Union):
        _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]

    _fields_ = [("type", ctypes.c_int), ("unique_identifier", ctypes.c_uint), ("text_position", ctypes.c_int),
                ("length", ctypes.c_int), ("audio_position", ctypes.c_int), ("sample", ctypes.c_int),
                ("user_data", ctypes.c_void_p), ("id", _Id)]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))
_LOCK = threading.Lock()


class _Espeak:
    def __init__(self):
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            self.lib = ctypes.CDLL(name)
        except OSError:
            raise ModelMissingError("espeak-ng is not installed (needed for --lang other than en)",
                                    hint="apt-get install espeak-ng (scripts/setup.sh)") from None
        self.lib.espeak_Initialize.restype = ctypes.c_int
        self.rate = self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, None,
                                               _INIT_PHONEME_EVENTS | _INIT_PHONEME_IPA)
        if self.rate <= 0:
            raise ModelMissingError("espeak-ng could not start (its data folder is missing)",
                                    hint="apt-get install --reinstall espeak-ng-data")
        self.samples = 0
        self.events: list[tuple[int, int, int, bytes]] = []
        self._cb = _CALLBACK(self._collect)  # kept alive with the object
        self.lib.espeak_SetSynthCallback(self._cb)
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                          ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.voice: str | None = None

    def _collect(self, wav, n, events) -> int:
        self.samples += max(n, 0)
        i = 0
        while events[i].type != 0:
            e = events[i]
            self.events.append((e.type, e.audio_position, e.text_position, bytes(e.id.string)))
            i += 1
        return 0

    def set_voice(self, voice: str) -> None:
        if voice != self.voice:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise UsageError(f"--lang {voice!r} is not a language espeak-ng speaks",
                                 hint="list them with: espeak-ng --voices")
            self.voice = voice

    def synth(self, text: str) -> tuple[list[tuple[int, int, int, bytes]], float]:
        data = text.encode("utf-8") + b"\0"
        self.samples, self.events = 0, []
        buf = ctypes.create_string_buffer(data)
        self.lib.espeak_Synth(buf, len(data), 0, 0, 0, _CHARS_UTF8, None, None)
        return list(self.events), self.samples / self.rate


def _synth_isolated(text: str, voice: str) -> tuple[list[tuple[int, int, int, bytes]], float]:
    """Synthesise in a forked child with a freshly initialised engine: espeak-ng's event times shift by
    ~10 ms with what it spoke before in the same process, while a fresh engine's are reproducible."""
    import os
    import pickle

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns
        try:
            os.close(read_fd)
            try:
                engine = _Espeak()
                engine.set_voice(voice)
                result = ("ok", engine.synth(text))
            except (UsageError, ModelMissingError) as exc:
                result = ("error", (type(exc).__name__, exc.message, exc.hint))
            with os.fdopen(write_fd, "wb") as fh:
                pickle.dump(result, fh)
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    if not data:
        raise ModelMissingError("espeak-ng stopped while speaking", hint="check: espeak-ng -v " + voice + " hello")
    kind, payload = pickle.loads(data)  # noqa: S301 (our own child's bytes)
    if kind == "error":
        cls = UsageError if payload[0] == "UsageError" else ModelMissingError
        raise cls(payload[1], hint=payload[2])
    return payload


def voice_for(lang: str) -> str:
    return VOICE_ALIASES.get(lang.lower(), lang)


@functools.lru_cache(maxsize=64)
def check_language(lang: str) -> str:
    """The espeak-ng voice for `lang` (UsageError when espeak-ng has none)."""
    voice = voice_for(lang)
    _synth_isolated("", voice)
    return voice


def ipa_class(phone: str) -> str | None:
    """The representative ARPAbet phone of an IPA phone (None for stress/length marks and unknowns)."""
    if any(c in phone for c in "ʃʒɕʑʂʐ"):  # affricates tʃ, dʒ, tɕ: the lips of the fricative
        return "SH"
    for ch in unicodedata.normalize("NFD", phone):
        if ch in _IPA_CLASS:
            return _IPA_CLASS[ch]
    return None


def _is_ideograph(ch: str) -> bool:
    return 0x4E00 <= ord(ch) <= 0x9FFF or 0x3400 <= ord(ch) <= 0x4DBF or 0xF900 <= ord(ch) <= 0xFAFF


def espeak_phones(text: str, lang: str) -> list[PhoneSpan]:
    """Timed phones of `text` spoken by espeak-ng in `lang`, starting at 0 s; pauses as 'sil'."""
    voice = voice_for(lang)
    if voice.lower().startswith("ja"):
        text = "".join("\u304b" if _is_ideograph(ch) else ch for ch in text)
    with _LOCK:
        events, total = _synth_isolated(text, voice)
    marks = [(pos / 1000.0, tp, raw) for typ, pos, tp, raw in events if typ == _EVENT_PHONEME]
    words = sorted((tp, pos / 1000.0) for typ, pos, tp, _ in events if typ == _EVENT_WORD)
    spans: list[PhoneSpan] = []
    n_chars = len(text)
    for k, (start, _tp, raw) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else total
        if end <= start:
            continue
        ipa = raw.split(b"\0", 1)[0].decode("utf-8", errors="ignore")
        phone = ipa_class(ipa) or "sil"
        # the word this phone belongs to: the last word event that started at or before it
        char = 0
        for wtp, wt in words:
            if wt <= start + 1e-6:
                char = wtp
        char = min(max(char - 1, 0), max(n_chars - 1, 0))  # 1-based -> 0-based
        if spans and spans[-1].phone == "sil" and phone == "sil":
            prev = spans.pop()
            spans.append(PhoneSpan("sil", prev.start, end, prev.char))
            continue
        spans.append(PhoneSpan(phone, start, end, char))
    return spans
