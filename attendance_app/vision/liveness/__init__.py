"""Liveness from behaviour over a face track: blinks, non-planar motion, 3-D head rotation, and
screen/print cues as supporting evidence. One cue per module; LivenessMonitor combines them."""
