package cognito

// operations is every operation the emulator implements; any other answers
// UnsupportedOperationException naming it (emulator.go), never a 5xx.
func (e *Emulator) operations() map[string]opFunc {
	return map[string]opFunc{
		// Public: called with no AWS credentials.
		"InitiateAuth":           e.initiateAuth,
		"RespondToAuthChallenge": e.respondToAuthChallenge,
		"SignUp":                 e.signUp,
		"ConfirmSignUp":          e.confirmSignUp,
		"ResendConfirmationCode": e.resendConfirmationCode,
		"ForgotPassword":         e.forgotPassword,
		"ConfirmForgotPassword":  e.confirmForgotPassword,
		"RevokeToken":            e.revokeToken,
		"GetUser":                e.getUser,
		"GlobalSignOut":          e.globalSignOut,
		// Administrators', SigV4-signed.
		"AdminInitiateAuth":           e.adminInitiateAuth,
		"AdminRespondToAuthChallenge": e.respondToAuthChallenge,
		"AdminCreateUser":             e.adminCreateUser,
		"AdminGetUser":                e.adminGetUser,
		"AdminSetUserPassword":        e.adminSetUserPassword,
		"AdminDeleteUser":             e.adminDeleteUser,
		"AdminDisableUser":            e.adminDisableUser,
		"AdminEnableUser":             e.adminEnableUser,
		"AdminResetUserPassword":      e.adminResetUserPassword,
		"AdminConfirmSignUp":          e.adminConfirmSignUp,
		"AdminUpdateUserAttributes":   e.adminUpdateUserAttributes,
		"AdminAddUserToGroup":         e.adminAddUserToGroup,
		"AdminRemoveUserFromGroup":    e.adminRemoveUserFromGroup,
		"AdminListGroupsForUser":      e.adminListGroupsForUser,
		"AdminUserGlobalSignOut":      e.adminUserGlobalSignOut,
		"ListUsers":                   e.listUsers,
		"CreateUserPool":              e.createUserPool,
		"DescribeUserPool":            e.describeUserPool,
		"UpdateUserPool":              e.updateUserPool,
		"DeleteUserPool":              e.deleteUserPool,
		"ListUserPools":               e.listUserPools,
		"CreateUserPoolClient":        e.createUserPoolClient,
		"DescribeUserPoolClient":      e.describeUserPoolClient,
		"UpdateUserPoolClient":        e.updateUserPoolClient,
		"DeleteUserPoolClient":        e.deleteUserPoolClient,
		"ListUserPoolClients":         e.listUserPoolClients,
		"CreateUserPoolDomain":        e.createUserPoolDomain,
		"DescribeUserPoolDomain":      e.describeUserPoolDomain,
		"DeleteUserPoolDomain":        e.deleteUserPoolDomain,
		"CreateGroup":                 e.createGroup,
		"GetGroup":                    e.getGroup,
		"DeleteGroup":                 e.deleteGroup,
		"ListGroups":                  e.listGroups,
	}
}
