"""`fxe talk`: speech audio (or text spoken by espeak-ng) plus a free-text instruction -> a talking head.

instructions.py parses the instruction into an emotion part and timed motion actions; performance.py
turns phone timing, audio energy, the emotion and the actions into an ARKit-52 track with head pose;
portrait.py animates a photo with it (dense displacement fields + remap); avatar.py renders 3D heads.
"""
