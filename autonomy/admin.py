"""Staff choose which catalogue entries say what to do before each milestone.

Interviews have no admin page: they are the young person's, and the référents who
accompany them record them (the département sees counts in the figures).
"""

from django.contrib import admin

from .models import MilestoneEntry


@admin.register(MilestoneEntry)
class MilestoneEntryAdmin(admin.ModelAdmin):
    list_display = ["milestone", "entry", "position"]
    list_filter = ["milestone"]
    autocomplete_fields = ["entry"]
    ordering = ["milestone", "position"]
