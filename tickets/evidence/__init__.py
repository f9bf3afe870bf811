"""Evidence files: storing them (services), listing them (selectors), checking uploads (uploads) and the ONE
way they are served to customer, agent and API alike (serving)."""
