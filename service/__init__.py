"""labelq's HTTP edge and domain core. Never imports torch, torchvision, models/ or workers/."""
