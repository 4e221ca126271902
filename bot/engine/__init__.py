"""Engine stage (② and ⑤): the channel-agnostic conversation core."""
